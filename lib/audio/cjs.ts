/**
 * `wavefile` and `alawmulaw` ship a UMD bundle as `main` and ES modules as `module`. Node (and
 * so tsx and vitest) loads the UMD bundle, whose exports then arrive as `{ default: exports }`;
 * a bundler (Next) picks the ES modules, whose exports are named. This returns the exports
 * either way. It takes the namespace as an argument so bundlers do not warn about a missing
 * `default` export.
 */
export function cjsExports<T extends object>(namespace: T): T {
  return (namespace as T & { default?: T }).default ?? namespace;
}
