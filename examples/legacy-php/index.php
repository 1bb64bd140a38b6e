<?php
// The legacy friendship app: a router script for PHP's built-in server,
//   DB_HOST=127.0.0.1 DB_PORT=3306 DB_NAME=friends DB_USER=app DB_PASSWORD=… php -S 127.0.0.1:8000 index.php
// Every request comes through here; the route table below maps method + path to a handler.
// Written the way the app grew: arrays straight from PDO into json_encode, so ids and counts are
// numeric strings, an empty JSON map comes out as [], and dates are MySQL's 'Y-m-d H:i:s'.

declare(strict_types=1);

date_default_timezone_set('UTC');

require __DIR__ . '/lib/http.php';
require __DIR__ . '/lib/db.php';
require __DIR__ . '/lib/users.php';
require __DIR__ . '/lib/activities.php';
require __DIR__ . '/lib/chats.php';

$routes = [
    ['GET', '#^/api/health$#', 'health'],
    ['GET', '#^/api/users/(\d+)$#', 'get_user'],
    ['GET', '#^/api/users/(\d+)/activities$#', 'get_user_activities'],
    ['GET', '#^/api/activities/(\d+)$#', 'get_activity'],
    ['POST', '#^/api/activities/(\d+)/join$#', 'join_activity'],
    ['GET', '#^/api/chats/(\d+)/messages$#', 'list_messages'],
    ['POST', '#^/api/chats/(\d+)/messages$#', 'post_message'],
];

header('X-Served-By: legacy-php');

$method = $_SERVER['REQUEST_METHOD'];
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$allowed = [];
foreach ($routes as [$routeMethod, $pattern, $handler]) {
    if (!preg_match($pattern, $path, $m)) {
        continue;
    }
    if ($routeMethod !== $method && !($routeMethod === 'GET' && $method === 'HEAD')) {
        $allowed[] = $routeMethod;
        continue;
    }
    try {
        $handler(...array_slice($m, 1));
    } catch (HttpError $e) {
        json_response($e->status, ['error' => $e->error, 'message' => $e->getMessage()]);
    } catch (PDOException $e) {
        error_log('database error on ' . $method . ' ' . $path . ': ' . $e->getMessage());
        json_response(500, ['error' => 'internal', 'message' => 'database error']);
    }
    return true;
}
if ($allowed) {
    header('Allow: ' . implode(', ', $allowed));
    json_response(405, ['error' => 'method_not_allowed', 'message' => "$method is not allowed on $path"]);
} else {
    json_response(404, ['error' => 'not_found', 'message' => "no route for $method $path"]);
}
return true;

function health(): void
{
    try {
        db()->query('SELECT 1');
        json_response(200, ['status' => 'ok', 'database' => 'up']);
    } catch (PDOException $e) {
        error_log('health: ' . $e->getMessage());
        json_response(503, ['status' => 'error', 'database' => 'down']);
    }
}
