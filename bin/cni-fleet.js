#!/usr/bin/env node
// The CLI is TypeScript; tsx loads it directly so `npx cni-fleet` works right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
