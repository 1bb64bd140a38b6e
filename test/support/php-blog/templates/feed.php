<?= '<?xml version="1.0" encoding="UTF-8"?>' ?>

<rss version="2.0">
  <channel>
    <title>Legacy Blog</title>
    <lastBuildDate><?= rendered_at() ?></lastBuildDate>
<?php foreach (posts() as $i => $p): ?>
    <item><title><?= h($p['title']) ?></title><link>/post/<?= $i ?></link><description><![CDATA[<?= $p['body'] ?>]]></description></item>
<?php endforeach; ?>
  </channel>
</rss>
