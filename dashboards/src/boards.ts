/**
 * The two boards Costline ships.
 *
 * @module
 */

import type { BoardSpec } from './build-dashboard.ts';
import { OVERVIEW_PANELS } from './overview-panels.ts';
import { SURFACE_PANELS } from './surface-panels.ts';

export const OVERVIEW_BOARD: BoardSpec = {
  uid: 'costline-overview',
  title: 'Costline — Overview',
  description: 'Cost per successful action by surface, spend, failures, cache and model mix.',
  panels: OVERVIEW_PANELS,
  linkTo: { uid: 'costline-surface', title: 'Costline boards' },
};

export const SURFACE_BOARD: BoardSpec = {
  uid: 'costline-surface',
  title: 'Costline — Surface drill-down',
  description:
    'One surface in depth: latency, tokens, caches, model mix, failures by reason and the most expensive actions.',
  panels: SURFACE_PANELS,
  linkTo: { uid: 'costline-overview', title: 'Costline boards' },
};

export const BOARDS: readonly BoardSpec[] = [OVERVIEW_BOARD, SURFACE_BOARD];
