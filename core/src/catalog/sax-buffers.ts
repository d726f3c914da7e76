/**
 * The decoded text a streaming tokenizer still refers to. htmlparser2's tokenizer reports tokens as
 * global offsets into everything written so far; this keeps only the chunks a token can still reach
 * (the same bookkeeping as htmlparser2's own Parser) plus line counts of the dropped ones, so an error
 * can name its line and column without holding the whole document.
 */
export class SliceBuffers {
  private readonly chunks: string[] = [];
  /** Global offset of chunks[0]. */
  private offset = 0;
  /** Lines ended before `offset`, and the global offset where the line containing `offset` starts. */
  private linesBefore = 0;
  private lineStart = 0;

  push(chunk: string): void {
    this.chunks.push(chunk);
  }

  slice(start: number, end: number): string {
    while (this.chunks.length > 1 && start - this.offset >= (this.chunks[0] as string).length) this.shift();
    let out = (this.chunks[0] ?? '').slice(start - this.offset, end - this.offset);
    while (this.chunks.length > 1 && end - this.offset > (this.chunks[0] as string).length) {
      this.shift();
      out += (this.chunks[0] as string).slice(0, end - this.offset);
    }
    return out;
  }

  /** 1-based line and column of a global offset still held (or of the first held one). */
  position(index: number): { line: number; column: number } {
    let line = this.linesBefore + 1;
    let lineStart = this.lineStart;
    let at = this.offset;
    for (const chunk of this.chunks) {
      const upto = Math.min(chunk.length, index - at);
      for (let i = chunk.indexOf('\n'); i !== -1 && i < upto; i = chunk.indexOf('\n', i + 1)) {
        line++;
        lineStart = at + i + 1;
      }
      if (upto < chunk.length) break;
      at += chunk.length;
    }
    return { line, column: Math.max(1, index - lineStart + 1) };
  }

  private shift(): void {
    const chunk = this.chunks.shift() as string;
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) {
      this.linesBefore++;
      this.lineStart = this.offset + i + 1;
    }
    this.offset += chunk.length;
  }
}
