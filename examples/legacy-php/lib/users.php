<?php
declare(strict_types=1);

/** "Anna K.": first name and the initial of the last name, as the app has always shown people. */
function display_name(array $user): string
{
    preg_match('/^./u', $user['last_name'], $initial);
    return $user['first_name'] . ($initial ? ' ' . $initial[0] . '.' : '');
}

function find_user(string $id): array
{
    $user = db_one(
        'SELECT id, first_name, last_name, city, birthdate, bio, links, is_verified, last_seen_at, created_at
           FROM users WHERE id = ?',
        [$id]
    );
    if ($user === null) {
        throw new HttpError(404, 'not_found', "user $id not found");
    }
    return $user;
}

/** GET /api/users/:id — a profile. */
function get_user(string $id): void
{
    $user = find_user($id);
    $stats = db_one(
        'SELECT (SELECT COUNT(*) FROM activity_participants WHERE user_id = ?) AS joined,
                (SELECT COUNT(*) FROM activities WHERE host_id = ?) AS hosted',
        [$id, $id]
    );
    json_response(200, [
        'id' => $user['id'],
        'displayName' => display_name($user),
        'firstName' => $user['first_name'],
        'lastName' => $user['last_name'],
        'city' => $user['city'],
        'birthdate' => $user['birthdate'],
        'bio' => $user['bio'],
        'verified' => (bool) $user['is_verified'],
        // An empty JSON object decodes to an empty PHP array, which encodes back as [].
        'links' => json_decode($user['links'], true),
        'lastSeenAt' => $user['last_seen_at'],
        'memberSince' => $user['created_at'],
        'stats' => ['activitiesJoined' => $stats['joined'], 'activitiesHosted' => $stats['hosted']],
    ]);
}

/** GET /api/users/:id/activities — what the user hosts and has joined, soonest first. */
function get_user_activities(string $id): void
{
    find_user($id);
    $rows = db_all(
        "SELECT a.id, a.title, a.city, a.starts_at, 'host' AS role, NULL AS joined_at
           FROM activities a WHERE a.host_id = ?
         UNION ALL
         SELECT a.id, a.title, a.city, a.starts_at, 'participant' AS role, p.joined_at
           FROM activity_participants p JOIN activities a ON a.id = p.activity_id WHERE p.user_id = ?
         ORDER BY starts_at, id",
        [$id, $id]
    );
    $activities = [];
    foreach ($rows as $row) {
        $activities[] = [
            'id' => $row['id'],
            'title' => $row['title'],
            'city' => $row['city'],
            'startsAt' => $row['starts_at'],
            'role' => $row['role'],
            'joinedAt' => $row['joined_at'],
        ];
    }
    json_response(200, ['userId' => $id, 'activities' => $activities]);
}
