/**
 * One HTTP request to motif, driven through undici's `dispatch` with a handler of our own. motif
 * answers small JSON documents, so the body is gathered as chunks and decoded once: no body
 * stream, no async resource and no signal listener per call, which is most of what undici's
 * `request()` costs beyond the socket work. The same object is the call's entry in the client's
 * deadline list, so a deadline or the caller's signal cancels the request directly.
 *
 * A body over the package's answer cap (`MAX_ANSWER_BYTES`) is refused (a hostile or broken server cannot fill the memory), and
 * the promise settles once: at the end of the response, at its error, or at once when aborted,
 * even while the request still waits in the pool's queue.
 */
import type { Dispatcher } from 'undici';
import { AnswerTooLargeError, MAX_ANSWER_BYTES } from '../../common/answer-cap';
import { PendingCall } from './deadlines';

export interface ExchangeAnswer {
  statusCode: number;
  text: string;
}

export class Exchange extends PendingCall implements Dispatcher.DispatchHandler {
  readonly answer: Promise<ExchangeAnswer>;
  private resolve!: (answer: ExchangeAnswer) => void;
  private reject!: (err: unknown) => void;
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;

  constructor() {
    super();
    this.answer = new Promise<ExchangeAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(errorOf(this.reason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // An informational answer (1xx) comes before the real one; only the last one counts.
    this.statusCode = statusCode;
    this.first = this.more = undefined;
    this.size = 0;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_ANSWER_BYTES) {
      controller.abort(new AnswerTooLargeError());
      return;
    }
    if (this.first === undefined) this.first = chunk;
    else (this.more ??= []).push(chunk);
  }

  onResponseEnd(): void {
    const body = this.more ? Buffer.concat([this.first!, ...this.more]) : this.first;
    this.settle(undefined, { statusCode: this.statusCode, text: body ? body.toString('utf8') : '' });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.settle(err);
  }

  /** Fails the call now, whether or not undici has started it. */
  protected override aborting(reason: unknown): void {
    const err = errorOf(reason);
    this.controller?.abort(err);
    this.settle(err);
  }

  private settle(err: unknown, answer?: ExchangeAnswer): void {
    if (this.settled) return;
    this.settled = true;
    this.first = this.more = undefined;
    if (answer) this.resolve(answer);
    else this.reject(err);
  }
}

function errorOf(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
