<?php
declare(strict_types=1);

final class HttpError extends Exception
{
    public function __construct(public int $status, public string $error, string $message)
    {
        parent::__construct($message);
    }
}

function json_response(int $status, $body): void
{
    http_response_code($status);
    // The charset is spelled out so both backends send the very same content-type.
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($body);
}

/** The signed-in user, as the mobile app sends it (the session layer sets it in production). */
function current_user_id(): string
{
    $id = $_SERVER['HTTP_X_USER_ID'] ?? '';
    if (!preg_match('/^[1-9]\d{0,9}$/', $id)) {
        throw new HttpError(401, 'unauthorized', 'an X-User-Id header with a user id is required');
    }
    return $id;
}

function json_body(): array
{
    $body = json_decode(file_get_contents('php://input') ?: '', true);
    if (!is_array($body)) {
        throw new HttpError(400, 'bad_request', 'the request body must be a JSON object');
    }
    return $body;
}

/** Returns `$_GET[$name]` as digits, or the default; anything else is a 400. */
function query_int(string $name, ?int $default, int $min, int $max): ?int
{
    if (!isset($_GET[$name]) || $_GET[$name] === '') {
        return $default;
    }
    $v = $_GET[$name];
    if (!is_string($v) || !preg_match('/^\d{1,18}$/', $v) || (int) $v < $min || (int) $v > $max) {
        throw new HttpError(400, 'bad_request', "$name must be a whole number from $min to $max");
    }
    return (int) $v;
}
