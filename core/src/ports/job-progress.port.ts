/**
 * Told after a workflow wrote to a job (a step, a console line, a pause, the end), so what people see of the job
 * (its card in Teams) follows. Never throws: a workflow must not fail because a card could not be updated.
 */
export interface JobProgress {
  changed(jobId: string): Promise<void>;
}
