/** `sigil providers`. */
export const providers = {
  summary: 'List the key providers and registry adapters that installed plugins contribute.',
  description:
    'Every key backend and registry adapter, built-in ones included, comes from a plugin answering the sigil:plugin hook. ' +
    'Two plugins claiming the same key scheme or registry host is an error; a user-installed plugin may replace a built-in one only when named in SIGIL_PLUGIN_OVERRIDE.',
  examples: ['<%= config.bin %> providers', '<%= config.bin %> providers --json'],
}
