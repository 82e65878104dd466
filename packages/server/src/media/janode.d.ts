/** janode ships no types: its two entry points, typed by ./janode-types.ts (used at build time only). */
declare module 'janode' {
  const Janode: import('./janode-types.js').JanodeApi;
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  const VideoRoomPlugin: import('./janode-types.js').VideoRoomPluginApi;
  export default VideoRoomPlugin;
}
