-- The legacy friendship app's schema, as it grew over the years: INT ids with AUTO_INCREMENT, a
-- BIGINT for the chat's busiest table, TINYINT(1) flags, a DECIMAL price, a JSON map, a composite
-- key, and updated_at maintained by MySQL itself (what `migrate sync` uses as its watermark).
-- DATETIME values are written in UTC (the app sets time_zone = '+00:00' on every connection).

DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS chats;
DROP TABLE IF EXISTS activity_participants;
DROP TABLE IF EXISTS activities;
DROP TABLE IF EXISTS users;

CREATE TABLE users (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email         VARCHAR(191) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  first_name    VARCHAR(100) NOT NULL,
  last_name     VARCHAR(100) NOT NULL,
  city          VARCHAR(100) NOT NULL,
  birthdate     DATE NULL,
  bio           TEXT NULL,
  links         JSON NOT NULL,
  is_verified   TINYINT(1) NOT NULL DEFAULT 0,
  last_seen_at  DATETIME NULL,
  created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY users_email (email),
  KEY users_updated_at (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE activities (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  host_id     INT UNSIGNED NOT NULL,
  title       VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  city        VARCHAR(100) NOT NULL,
  starts_at   DATETIME NOT NULL,
  capacity    SMALLINT UNSIGNED NOT NULL,
  price       DECIMAL(8,2) NOT NULL DEFAULT 0.00,
  is_public   TINYINT(1) NOT NULL DEFAULT 1,
  created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY activities_host (host_id),
  KEY activities_updated_at (updated_at),
  CONSTRAINT activities_host FOREIGN KEY (host_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE activity_participants (
  activity_id INT UNSIGNED NOT NULL,
  user_id     INT UNSIGNED NOT NULL,
  joined_at   DATETIME NOT NULL,
  updated_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (activity_id, user_id),
  KEY participants_user (user_id),
  KEY participants_updated_at (updated_at),
  CONSTRAINT participants_activity FOREIGN KEY (activity_id) REFERENCES activities (id),
  CONSTRAINT participants_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chats (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  activity_id INT UNSIGNED NULL,
  kind        ENUM('direct', 'group') NOT NULL,
  title       VARCHAR(200) NULL,
  created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY chats_updated_at (updated_at),
  CONSTRAINT chats_activity FOREIGN KEY (activity_id) REFERENCES activities (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
  id         BIGINT NOT NULL AUTO_INCREMENT,
  chat_id    INT UNSIGNED NOT NULL,
  sender_id  INT UNSIGNED NOT NULL,
  body       TEXT NOT NULL,
  sent_at    DATETIME NOT NULL,
  edited_at  DATETIME NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY messages_chat (chat_id, id),
  KEY messages_updated_at (updated_at),
  CONSTRAINT messages_chat FOREIGN KEY (chat_id) REFERENCES chats (id),
  CONSTRAINT messages_sender FOREIGN KEY (sender_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
