/** The rate limiters (src/core/rate.ts), where the Discord handlers have always found them. */
export { editQuota, RateLimiter, type RateDecision } from '../core/rate.js';
