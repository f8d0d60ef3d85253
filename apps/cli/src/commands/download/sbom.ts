import {download as text} from '../../messages/download.js'
import {downloadCommand} from '../../shared/download-command.js'

/** `sigil download sbom`. */
export default downloadCommand('sbom', text.sbomSummary)
