<?php
declare(strict_types=1);

const MESSAGE_PAGE = 50;
const MESSAGE_PAGE_MAX = 100;
const MESSAGE_MAX_LENGTH = 2000;

function find_chat(string $id): array
{
    $chat = db_one('SELECT id FROM chats WHERE id = ?', [$id]);
    if ($chat === null) {
        throw new HttpError(404, 'not_found', "chat $id not found");
    }
    return $chat;
}

function message_json(array $m): array
{
    return [
        'id' => $m['id'],
        'senderId' => $m['sender_id'],
        'body' => $m['body'],
        'sentAt' => $m['sent_at'],
        'editedAt' => $m['edited_at'],
    ];
}

/** GET /api/chats/:id/messages?before=ID&limit=N — a page of history, oldest first. */
function list_messages(string $id): void
{
    $before = query_int('before', null, 1, PHP_INT_MAX);
    $limit = query_int('limit', MESSAGE_PAGE, 1, MESSAGE_PAGE_MAX);
    find_chat($id);
    // LIMIT is spliced in as an int: emulated prepares would quote a bound value ('50').
    $sql = 'SELECT id, sender_id, body, sent_at, edited_at FROM messages WHERE chat_id = ?'
        . ($before === null ? '' : ' AND id < ?')
        . ' ORDER BY id DESC LIMIT ' . $limit;
    $rows = array_reverse(db_all($sql, $before === null ? [$id] : [$id, $before]));
    json_response(200, [
        'chatId' => $id,
        'messages' => array_map('message_json', $rows),
        'nextBefore' => count($rows) === $limit ? $rows[0]['id'] : null,
    ]);
}

/** POST /api/chats/:id/messages {"body": "…"} — the signed-in user says something. */
function post_message(string $id): void
{
    $userId = current_user_id();
    $body = json_body()['body'] ?? null;
    if (!is_string($body) || trim($body) === '' || strlen($body) > MESSAGE_MAX_LENGTH) {
        throw new HttpError(422, 'invalid_body', 'body must be a non-empty string of at most ' . MESSAGE_MAX_LENGTH . ' bytes');
    }
    find_chat($id);
    if (db_one('SELECT id FROM users WHERE id = ?', [$userId]) === null) {
        throw new HttpError(404, 'not_found', "user $userId not found");
    }
    $sentAt = now_utc();
    db()->prepare('INSERT INTO messages (chat_id, sender_id, body, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        ->execute([$id, $userId, $body, $sentAt, $sentAt]);
    $message = db_one('SELECT id, sender_id, body, sent_at, edited_at FROM messages WHERE id = ?', [db()->lastInsertId()]);
    json_response(201, ['chatId' => $id] + message_json($message));
}
