// One line of progress while a phase runs: redrawn in place on a terminal, a line every 10 s otherwise (CI logs).

export interface Progress {
  update(done: number, note?: string): void;
  finish(done: number, note?: string): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let lastLine = 0;
  const line = (done: number, note: string) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    return `${label.padEnd(12)} [${bar}] ${String(done).padStart(String(total).length)}/${total} ${((Date.now() - started) / 1000).toFixed(0)}s ${note}`;
  };
  return {
    update(done, note = '') {
      if (stream.isTTY) {
        stream.write(`\r${line(done, note).slice(0, (stream.columns || 120) - 1).padEnd((stream.columns || 120) - 1)}`);
      } else if (Date.now() - lastLine >= 10_000) {
        lastLine = Date.now();
        stream.write(`${line(done, note)}\n`);
      }
    },
    finish(done, note = '') {
      stream.write(`${stream.isTTY ? '\r' : ''}${line(done, note)}\n`);
    },
  };
}
