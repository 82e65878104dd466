import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    --_tile-min: var(--call-stage-tile-min-width, 11rem);
    --_tile-bg: var(--call-stage-tile-background, var(--_control));
    --_speaking: var(--call-stage-speaking-color, var(--_accent));
    --_stage-gap: var(--call-stage-gap, var(--_gap));
  }
  .stage {
    display: grid;
    gap: var(--_stage-gap);
  }
  .tiles {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_stage-gap);
    grid-template-columns: repeat(auto-fill, minmax(var(--_tile-min), 1fr));
  }
  .tile {
    position: relative;
    display: grid;
    place-items: center;
    aspect-ratio: 16 / 10;
    overflow: hidden;
    border: 2px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_tile-bg);
    color: var(--_on-control);
  }
  .tile.self {
    border-color: var(--_accent);
  }
  .tile[data-speaking] {
    border-color: var(--_speaking);
    box-shadow: 0 0 0 2px var(--_speaking);
  }
  .tile.screen {
    margin: 0;
    aspect-ratio: 16 / 9;
    grid-column: 1 / -1;
  }
  video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
    background: #000;
  }
  .screen video {
    object-fit: contain;
  }
  .avatar {
    display: grid;
    place-items: center;
    width: 3rem;
    height: 3rem;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    font-weight: 700;
    font-size: 1.2rem;
  }
  /* A chip, readable over any video. */
  .name {
    position: absolute;
    left: 0.4rem;
    bottom: 0.4rem;
    max-width: calc(100% - 0.8rem);
    box-sizing: border-box;
    padding: 0 0.4rem;
    border-radius: 6px;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    background: var(--_surface);
    color: var(--_on-surface);
  }
  .badges {
    position: absolute;
    top: 0.4rem;
    right: 0.5rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    justify-content: end;
  }
  .badge {
    padding: 0.1rem 0.4rem;
    border: 1px solid var(--_border);
    border-radius: 6px;
    background: var(--_surface);
    color: var(--_on-surface);
    font-size: 0.72rem;
  }
  [part~='pin'] {
    position: absolute;
    top: 0.3rem;
    left: 0.3rem;
    min-height: 28px;
    padding: 2px 8px;
    font-size: 0.75rem;
  }
  /* A pinned tile's pin, as a pressed toggle (only <call-stage> has aria-pressed buttons: not in the shared base). */
  button[aria-pressed='true'] {
    border-color: var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .stage[data-layout='speaker'] .tiles {
    grid-template-columns: repeat(auto-fill, minmax(calc(var(--_tile-min) * 0.7), 1fr));
  }
  .stage[data-layout='speaker'] .tile.main {
    grid-column: 1 / -1;
    aspect-ratio: 16 / 9;
  }
  .status {
    margin: 0;
    color: var(--_on-surface);
  }
  .status:empty,
  .audio {
    display: none;
  }
`;
