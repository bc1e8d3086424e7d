/** The settings form shows CVAT's defaults; they must be the ones the server's engine applies. */
import { DEFAULT_QUALITY_SETTINGS } from '@framewise/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTING_GROUPS } from '../src/features/quality/settings-fields';

describe('quality settings in the web app', () => {
  it('shows the engine defaults, every setting but inherit', () => {
    const { inherit: _inherit, ...engine } = DEFAULT_QUALITY_SETTINGS;
    expect(DEFAULT_SETTINGS).toEqual(engine);
  });

  it('has a form field for every setting', () => {
    const fields = SETTING_GROUPS.flatMap((g) => g.fields.map((f) => f.key)).sort();
    expect(fields).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
  });
});
