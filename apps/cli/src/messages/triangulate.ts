/** `sigil triangulate`. */
export const triangulate = {
  summary: 'Print the tag where an image\'s signatures (or attestations, SBOMs) are stored.',
  examples: ['<%= config.bin %> triangulate registry.example.com/team/app:1.0.0'],
  type: 'Which attachment to locate.',
}
