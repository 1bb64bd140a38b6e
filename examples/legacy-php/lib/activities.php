<?php
declare(strict_types=1);

/** GET /api/activities/:id — an activity with its participants. */
function get_activity(string $id): void
{
    $activity = db_one(
        'SELECT a.id, a.host_id, a.title, a.description, a.city, a.starts_at, a.capacity, a.price, a.is_public,
                u.first_name AS host_first_name
           FROM activities a JOIN users u ON u.id = a.host_id WHERE a.id = ?',
        [$id]
    );
    if ($activity === null) {
        throw new HttpError(404, 'not_found', "activity $id not found");
    }
    $participants = db_all(
        'SELECT user_id, joined_at FROM activity_participants WHERE activity_id = ? ORDER BY joined_at, user_id',
        [$id]
    );
    $chat = db_one('SELECT id FROM chats WHERE activity_id = ? ORDER BY id LIMIT 1', [$id]);
    json_response(200, [
        'id' => $activity['id'],
        'title' => $activity['title'],
        'description' => $activity['description'],
        'city' => $activity['city'],
        'startsAt' => $activity['starts_at'],
        'capacity' => $activity['capacity'],
        'price' => $activity['price'],
        'isPublic' => (bool) $activity['is_public'],
        'host' => ['id' => $activity['host_id'], 'firstName' => $activity['host_first_name']],
        'participants' => array_map(
            fn ($p) => ['userId' => $p['user_id'], 'joinedAt' => $p['joined_at']],
            $participants
        ),
        'participantCount' => count($participants),
        // "12" - 5: PHP does the arithmetic on the string, so this one is a real number.
        'spotsLeft' => max(0, $activity['capacity'] - count($participants)),
        'chatId' => $chat === null ? null : $chat['id'],
        // The app shows "starts in 2 h" against the server's clock, not the phone's.
        'serverTime' => (new DateTime())->format('Y-m-d H:i:s.u'),
    ]);
}

/** POST /api/activities/:id/join — the signed-in user takes a spot. */
function join_activity(string $id): void
{
    $userId = current_user_id();
    $pdo = db();
    $pdo->beginTransaction();
    try {
        $activity = db_one('SELECT id, host_id, capacity FROM activities WHERE id = ? FOR UPDATE', [$id]);
        if ($activity === null) {
            throw new HttpError(404, 'not_found', "activity $id not found");
        }
        if (db_one('SELECT id FROM users WHERE id = ?', [$userId]) === null) {
            throw new HttpError(404, 'not_found', "user $userId not found");
        }
        if ($activity['host_id'] === $userId) {
            throw new HttpError(409, 'is_host', "user $userId hosts activity $id");
        }
        if (db_one('SELECT 1 FROM activity_participants WHERE activity_id = ? AND user_id = ?', [$id, $userId]) !== null) {
            throw new HttpError(409, 'already_joined', "user $userId already joined activity $id");
        }
        $taken = db_one('SELECT COUNT(*) AS n FROM activity_participants WHERE activity_id = ?', [$id])['n'];
        if ($taken >= $activity['capacity']) {
            throw new HttpError(409, 'activity_full', "activity $id is full");
        }
        $joinedAt = now_utc();
        db()->prepare('INSERT INTO activity_participants (activity_id, user_id, joined_at, updated_at) VALUES (?, ?, ?, ?)')
            ->execute([$id, $userId, $joinedAt, $joinedAt]);
        $pdo->commit();
    } catch (Throwable $e) {
        $pdo->rollBack();
        throw $e;
    }
    json_response(201, ['activityId' => $id, 'userId' => $userId, 'joinedAt' => $joinedAt]);
}
