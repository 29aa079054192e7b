/**
 * The one cap on an answer body, for every backend that reads one (motif's HTTP exchange, Aivero's
 * GraphQL over HTTP, RemotiveLabs' gRPC messages): a hostile or broken server sending without end
 * must not fill the memory, nor a huge JSON document block the event loop while it is parsed. Far
 * above any real answer (a motif recordings list of thousands of files, a broker's signal list, a
 * thousand Aivero sessions are all well under a MiB). No Node-RED imports.
 */

export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** The words every backend's error uses for an answer over the cap. */
export const ANSWER_TOO_LARGE = `the answer is over ${MAX_ANSWER_BYTES / (1024 * 1024)} MiB`;

/** Raised by a body reader when the cap is passed; backends turn it into their ApiError. */
export class AnswerTooLargeError extends Error {
  constructor() {
    super(ANSWER_TOO_LARGE);
    this.name = 'AnswerTooLargeError';
  }
}
