<?php
// A small server-rendered blog for the diff tests, with the noise real PHP pages have: a random asset
// host, a per-request nonce, a render timestamp, and pages that create a row (a draft) on GET.
// BLOG_DATA: the folder holding drafts.log, shared by every instance (as a database would be).
require __DIR__ . '/lib.php';

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/health') {
    header('Content-Type: text/plain');
    echo "ok\n";
} elseif ($path === '/') {
    page('home', 'Home', []);
} elseif (preg_match('#^/post/(\d+)$#', $path, $m)) {
    page('post', 'Post ' . $m[1], ['id' => (int) $m[1]]);
} elseif ($path === '/about') {
    page('about', 'About', []);
} elseif ($path === '/editor' || $path === '/drafts/new') {
    // Opening the editor creates a draft, as many CMS editors do.
    $id = create_draft($path);
    page('editor', 'Editor', ['id' => $id, 'path' => $path]);
} elseif ($path === '/feed.xml') {
    header('Content-Type: application/rss+xml; charset=UTF-8');
    require __DIR__ . '/templates/feed.php';
} else {
    http_response_code(404);
    page('notfound', 'Not found', []);
}
