import CollateCommandLine
import Foundation

// `collate`: the stock tool, with the built-in collator types, transforms and rules.
// A package with its own types builds the same tool with them registered; see CollateTool.
exit(CollateTool().run())
