/**
 * A caught error's Cause: Lambda wraps it as JSON `{"errorType","errorMessage","trace"}`; the local runner
 * passes the plain message.
 */
export const causeMessage = (cause: string | undefined): string => {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
};
