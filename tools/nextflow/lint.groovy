/*
 * `nextflow lint` equivalent for the Maven-assembled Nextflow 25.04.4 (tools/nextflow/lib/): its
 * CmdLint crashes printing a file that has warnings but no errors (or the reverse) with the nf-lang
 * 25.04.0 jar that Maven Central has. Same parsers and checks, null-safe printing.
 *
 *   tools/nextflow/lint [paths...]     (default: main.nf workflows subworkflows modules conf nextflow.config)
 *
 * Prints "path:line:col: error|warning: message" per problem and a summary; exits 1 when any error.
 * Known false positive of nf-lang 25.04.0 (fixed in 25.04.5, nextflow-io/language-server#124): in config
 * files, `meta`/`task` inside process-directive closures are "not defined"; reported as warnings.
 */
import nextflow.config.control.ConfigParser
import nextflow.script.control.ScriptParser
import org.codehaus.groovy.control.messages.SyntaxErrorMessage
import org.codehaus.groovy.syntax.SyntaxException

def roots = (args ?: ['main.nf', 'workflows', 'subworkflows', 'modules', 'conf', 'nextflow.config']) as List
def files = []
roots.each { r ->
    def f = new File(r)
    if (f.isDirectory()) {
        f.eachFileRecurse { g -> if (g.name.endsWith('.nf') || g.name.endsWith('.config')) files << g }
    } else if (f.exists()) {
        files << f
    }
}
files = files.sort { it.path }
def scripts = new ScriptParser()
def configs = new ConfigParser()
def units = files.collect { f -> f.name.endsWith('.config') ? configs.parse(f) : scripts.parse(f) }
scripts.analyze()
configs.analyze()

int nErrors = 0, nWarnings = 0
units.eachWithIndex { unit, i ->
    def ec = unit.getErrorCollector()
    (ec.getErrors() ?: []).each { m ->
        def c = m instanceof SyntaxErrorMessage ? m.getCause() : null
        if (c instanceof SyntaxException && files[i].name.endsWith('.config')
                && c.getOriginalMessage() ==~ /`(meta|task)` is not defined/) {
            nWarnings++
            println "${files[i].path}:${c.getLine()}:${c.getStartColumn()}: warning: ${c.getOriginalMessage()} (nf-lang 25.04.0 false positive)"
        } else if (c instanceof SyntaxException) {
            nErrors++
            println "${files[i].path}:${c.getLine()}:${c.getStartColumn()}: error: ${c.getOriginalMessage()}"
        } else {
            nErrors++
            def w = new StringWriter()
            m.write(new PrintWriter(w))
            println "${files[i].path}: error: ${w.toString().trim().readLines()[0]}"
        }
    }
    (ec.getWarnings() ?: []).each { w ->
        nWarnings++
        def t = w.getContext()
        println "${files[i].path}:${t ? t.getStartLine() + ':' + t.getStartColumn() : '?'}: warning: ${w.getMessage()}"
    }
}
println "linted ${files.size()} files: ${nErrors} errors, ${nWarnings} warnings"
System.exit(nErrors ? 1 : 0)
