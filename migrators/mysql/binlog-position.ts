/**
 * A place in the MySQL binlog: a file of the server's binlog sequence and a byte offset in it. File
 * names end in a sequence number (`binlog.000042`), so two positions of one server compare by it.
 */
export interface BinlogPosition {
  file: string;
  position: number;
}

function sequence(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : 0;
}

/** < 0 when a is before b, 0 when equal, > 0 after. */
export function compareBinlogPositions(a: BinlogPosition, b: BinlogPosition): number {
  return sequence(a.file) - sequence(b.file) || a.position - b.position;
}

export function earliestPosition(positions: readonly BinlogPosition[]): BinlogPosition | undefined {
  return [...positions].sort(compareBinlogPositions)[0];
}

export function showPosition(p: BinlogPosition): string {
  return `${p.file}:${p.position}`;
}
