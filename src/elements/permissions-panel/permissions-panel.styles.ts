import { css } from 'lit';

export const styles = css`
  :host {
    --_panel-gap: var(--permissions-panel-gap, var(--_gap));
    --_panel-background: var(--permissions-panel-background, var(--_surface));
    --_panel-max-height: var(--permissions-panel-max-height, 480px);
    --_panel-row-height: var(--permissions-panel-row-height, 44px);
    display: block;
    background: var(--_panel-background);
  }
  .head,
  .row,
  .apply {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_panel-gap);
    padding: var(--_panel-gap);
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .list {
    max-height: var(--_panel-max-height);
    overflow: auto;
  }
  .row {
    /* Off-screen rows skip layout and paint: 1,000 rows stay cheap without a virtualizer. */
    content-visibility: auto;
    contain-intrinsic-size: auto var(--_panel-row-height);
    border-top: 1px solid var(--_border);
  }
  .name {
    flex: 1 1 10em;
    overflow-wrap: anywhere;
  }
  .role {
    font-size: 0.85em;
  }
  h2 {
    margin: 0;
    font-size: 1em;
  }
`;
