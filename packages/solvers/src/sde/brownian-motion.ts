/**
 * The Brownian-motion interface the SDE solvers program against, from `@nde/brownian`
 * (`VirtualBrownianTree`, `BrownianPath`, `BrownianInterval` implement it).
 */
export type { BrownianMotion, BrownianIncrement, LevyAreaKind } from '@nde/brownian';
