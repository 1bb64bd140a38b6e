    <h2 class="title">Draft #<?= $id ?></h2>
    <form class="editor" action="<?= h($path) ?>?draft=<?= $id ?>" method="post">
      <input type="hidden" name="draft_id" value="<?= $id ?>">
      <input type="hidden" name="_nonce" value="<?= h($nonce) ?>">
      <textarea name="body"></textarea>
    </form>
