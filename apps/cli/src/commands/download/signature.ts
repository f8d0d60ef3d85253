import {download as text} from '../../messages/download.js'
import {downloadCommand} from '../../shared/download-command.js'

/** `sigil download signature`. */
export default downloadCommand('signature', text.signatureSummary)
