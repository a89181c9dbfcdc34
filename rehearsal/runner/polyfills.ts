// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks
// (docs/toolchain.md#node-20-and-aws-local-stepfunctions).
interface PromiseWithResolversCtor {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
}
const P = Promise as unknown as PromiseWithResolversCtor;
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
