    <h2 class="title">About this blog</h2>
    <p>A blog about migrating a PHP application, one page at a time.</p>
