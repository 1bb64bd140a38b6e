<?php $p = posts()[$id] ?? ['title' => 'Missing', 'body' => '']; ?>
    <article id="post-<?= $id ?>">
      <h2 class="title"><?= h($p['title']) ?></h2>
      <p class="body"><?= h($p['body']) ?></p>
      <p class="lead">Thanks for reading this post.</p>
      <form class="comment" action="/post/<?= $id ?>/comment" method="post">
        <input type="hidden" name="_nonce" value="<?= h($nonce) ?>">
        <textarea name="text"></textarea>
      </form>
    </article>
