import type { BinlogPosition } from './binlog-position.js';

export interface BinlogFacts {
  logBin: boolean;
  /** @@binlog_format: ROW, MIXED, STATEMENT. */
  format: string;
  /** @@binlog_row_image: FULL, MINIMAL, NOBLOB. */
  rowImage: string;
  /** How long the server keeps binlogs (0: forever). */
  expireSeconds: number;
  /** The user holds REPLICATION SLAVE (or ALL PRIVILEGES). */
  replicationGrant: boolean;
  /** SHOW BINARY LOGS, or null when this user may not list them. */
  files: string[] | null;
  mariadb: boolean;
}

export interface BinlogReadiness {
  usable: boolean;
  /** What is missing, each with the fix. */
  problems: string[];
  /** What to know even when it is usable (retention). */
  notes: string[];
}

/**
 * Can `migrate follow` read this binlog, and if a backfill recorded where it began, is that still
 * there? Where it cannot, `migrate sync` by updatedAt stays the way to catch up.
 */
export function binlogReadiness(f: BinlogFacts, start?: BinlogPosition | null): BinlogReadiness {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!f.logBin) problems.push('the binlog is off: start the server with log_bin and a server_id (and binlog_format=ROW)');
  else {
    if (f.format.toUpperCase() !== 'ROW') problems.push(`binlog_format is ${f.format}: follow needs ROW (SET GLOBAL binlog_format = 'ROW', and in the server's config)`);
    if (f.rowImage.toUpperCase() !== 'FULL') problems.push(`binlog_row_image is ${f.rowImage}: follow needs FULL, whole rows to map (SET GLOBAL binlog_row_image = 'FULL')`);
  }
  if (!f.replicationGrant) {
    const monitor = f.mariadb ? 'BINLOG MONITOR' : 'REPLICATION CLIENT';
    problems.push(`the user may not read the binlog: GRANT REPLICATION SLAVE, ${monitor} ON *.* TO the migration user`);
  }
  if (f.logBin) {
    notes.push(f.expireSeconds === 0 ? 'binlogs are never purged' : `binlogs are purged after ${Math.round((f.expireSeconds / 86_400) * 10) / 10} day(s): a follow stopped for longer cannot resume`);
  }
  if (start && f.files && !f.files.includes(start.file)) {
    problems.push(`${start.file}, where the backfill began, has been purged: run the backfill again (migrate run --restart), or catch up with migrate sync`);
  }
  if (problems.length > 0) notes.push('until it is usable, migrate sync (by updatedAt) is the way to catch up');
  return { usable: problems.length === 0, problems, notes };
}
