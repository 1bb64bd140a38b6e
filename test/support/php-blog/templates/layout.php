<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="csrf-token" content="<?= h($nonce) ?>">
  <title><?= h($title) ?> · Legacy Blog</title>
  <link rel="stylesheet" href="<?= h($asset) ?>/site.css">
  <script>window.blog = { nonce: "<?= h($nonce) ?>", page: "<?= h($template) ?>" };</script>
</head>
<body>
  <header>
    <h1 id="site-title">Legacy Blog</h1>
    <nav><a href="/">Home</a> <a href="/about">About</a> <a href="/feed.xml">Feed</a></nav>
    <img class="avatar" src="https://avatars<?= random_int(1, 100000) ?>.example.test/u/7.png" alt="Ann">
  </header>
  <main>
<?php require __DIR__ . "/$template.php"; ?>
  </main>
  <footer>
    <form class="search" action="/search" method="get"><input type="hidden" name="_nonce" value="<?= h($nonce) ?>"><input name="q"></form>
    <span class="rendered">Rendered at <?= rendered_at() ?></span>
  </footer>
</body>
</html>
