#!/usr/bin/env node
// The CLI is TypeScript; tsx loads it directly so `npx cni-fleet` works right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

// The SDK is pinned to releases that still support Node 20 (facts/toolchain.md) and warns once per process that
// later ones will not; on every CLI run that is noise in the operator's terminal, not news. An operator who sets
// the variable explicitly keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('./cli.ts');
