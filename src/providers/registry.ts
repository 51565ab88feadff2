import { dingtalk } from './dingtalk/index.js';
import type { ProviderModule } from './module.js';
import { smh } from './smh/index.js';

/**
 * Every provider the gateway ships, in the order the schema lists them. Adding one: its folder under
 * providers/ exporting one {@link ProviderModule}, its `schema/<provider>.graphql`, and a line here.
 */
export const providers: readonly ProviderModule[] = [smh, dingtalk];
