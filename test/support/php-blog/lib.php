<?php
function h(string $s): string
{
    return htmlspecialchars($s, ENT_QUOTES, 'UTF-8');
}

function posts(): array
{
    $out = [];
    for ($i = 1; $i <= 8; $i++) {
        $out[$i] = ['title' => "Post number $i", 'body' => str_repeat("Paragraph text of post $i. ", 12)];
    }
    return $out;
}

/** The time this page was rendered, to the microsecond. */
function rendered_at(): string
{
    $t = microtime(true);
    return date('Y-m-d H:i:s', (int) $t) . sprintf('.%06d', (int) (($t - floor($t)) * 1e6));
}

/** Appends a draft under an exclusive lock; its id is its line number. */
function create_draft(string $page): int
{
    $f = fopen(getenv('BLOG_DATA') . '/drafts.log', 'a+');
    flock($f, LOCK_EX);
    fseek($f, 0);
    $n = substr_count(stream_get_contents($f), "\n") + 1;
    fwrite($f, $page . "\n");
    fflush($f);
    flock($f, LOCK_UN);
    fclose($f);
    return $n;
}

function page(string $template, string $title, array $vars): void
{
    $asset = 'https://cdn' . random_int(1, 100000) . '.assets.test';
    $nonce = bin2hex(random_bytes(8));
    extract($vars);
    require __DIR__ . '/templates/layout.php';
}
