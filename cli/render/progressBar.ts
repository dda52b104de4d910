/**
 * A progress bar on standard error: redrawn in place on a terminal, a line
 * every tenth of the way otherwise (a log file should not fill with
 * redraws). Says how far, how many, and how long is left.
 */
export class ProgressBar {
  readonly #started = Date.now();
  #lastTenth = -1;

  constructor(
    private readonly total: number,
    private readonly unit: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(done: number): void {
    const share = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const elapsedS = (Date.now() - this.#started) / 1000;
    const etaS = share > 0 ? (elapsedS / share) * (1 - share) : NaN;
    const filled = Math.round(share * this.width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${this.unit}${done < this.total && Number.isFinite(etaS) ? `, ${Math.ceil(etaS)} s left` : ''}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}${done >= this.total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth !== this.#lastTenth) {
      this.#lastTenth = tenth;
      this.out.write(`${line}\n`);
    }
  }
}
