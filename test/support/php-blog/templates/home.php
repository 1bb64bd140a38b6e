    <h2 class="title">Latest posts</h2>
    <ul class="posts">
<?php foreach (posts() as $i => $p): ?>
      <li><a href="/post/<?= $i ?>"><?= h($p['title']) ?></a></li>
<?php endforeach; ?>
    </ul>
