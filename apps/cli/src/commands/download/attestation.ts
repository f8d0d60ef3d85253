import {download as text} from '../../messages/download.js'
import {downloadCommand} from '../../shared/download-command.js'

/** `sigil download attestation`. */
export default downloadCommand('attestation', text.attestationSummary)
