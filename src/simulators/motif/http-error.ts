/** An error the simulator answers as `{"error": message, "status_code": status}`. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

export const badRequest = (message: string): SimHttpError => new SimHttpError(400, message);
export const notFound = (message: string): SimHttpError => new SimHttpError(404, message);
export const conflict = (message: string): SimHttpError => new SimHttpError(409, message);
