/*
 * Start and end of a run: --help, parameter files, and a completion summary.
 * Parameters and the samplesheet are validated in Python (CHECK_SAMPLESHEET and each step's CLI);
 * Groovy only checks that the files exist. No Nextflow plugin is needed (runs offline).
 */

/*
 * Help text: every parameter with its current value, grouped and commented as in the params block of
 * nextflow.config (the one place defaults live).
 */
def helpMessage() {
    def lines = [
        '',
        "scnetflow ${workflow.manifest.version}: scNET gene and cell embeddings for many scRNA-seq samples",
        '',
        'Usage:',
        '  nextflow run main.nf --input samplesheet.csv --outdir results [-profile docker|singularity|gpu,...]',
        '  nextflow run main.nf -profile test --outdir results      # bundled test data, CPU, a few minutes',
        '',
        'Parameters (--name value; current value in brackets):',
    ]
    def text = file("${projectDir}/nextflow.config").text
    def block = text.substring(text.indexOf('params {'))
    block = block.substring(0, block.indexOf('\n}'))
    def described = [] as Set
    block.readLines().drop(1).each { line ->
        def group = line =~ /^\s*\/\/\s*(.+)$/
        def param = line =~ /^\s*(\w+)\s*=.*?(?:\/\/\s*(.*))?$/
        if (group.matches()) {
            lines << ''
            lines << "${group.group(1)}:".toString()
        } else if (param.matches() && params.containsKey(param.group(1))) {
            def name = param.group(1)
            described << name
            lines << String.format('  --%-24s [%s] %s', name, params[name], param.group(2) ?: '').stripTrailing()
        }
    }
    def others = params.keySet().findAll { name -> !(name in described) && !name.contains('-') }.sort()
    if (others) {
        lines << ''
        lines << 'Other parameters:'
        others.each { name -> lines << String.format('  --%-24s [%s]', name, params[name]) }
    }
    lines << ''
    lines << 'Profiles: test, docker, singularity, apptainer, gpu, slurm, awsbatch, google (combine with commas).'
    lines << 'Docs: docs/pipeline.md'
    return lines.join('\n')
}

/*
 * A parameter naming a file: null/empty gives [] (an absent optional input), else a checked file.
 */
def optionalFile(value) {
    return value ? file(value, checkIfExists: true) : []
}

workflow PIPELINE_INITIALISATION {

    main:
    if (params.help) {
        log.info(helpMessage())
        exit(0)
    }
    if (!params.input) {
        error("--input is required: a samplesheet CSV (sample,input,condition[,species,label_key]); see --help")
    }
    if (!params.outdir) {
        error("--outdir is required: the directory for the results")
    }
    if ((params.contrast_a == null) != (params.contrast_b == null)) {
        error("give both --contrast_a and --contrast_b (conditions to compare), or neither")
    }

    emit:
    samplesheet    = file(params.input, checkIfExists: true)
    contrasts      = optionalFile(params.contrasts)
    ppi            = optionalFile(params.ppi)
    gmt            = params.gmt ? params.gmt.toString().tokenize(',').collect { f -> file(f.trim(), checkIfExists: true) } : []
    disease_gmt    = optionalFile(params.disease_gmt)
    multiqc_config = optionalFile(params.multiqc_config)
}

/*
 * One closing line: where the results are, or where to look after a failure.
 */
def completionSummary() {
    if (workflow.success) {
        log.info("scnetflow: done; results in ${params.outdir}, run reports in ${params.outdir}/pipeline_info")
    } else {
        log.error("scnetflow: failed; see the error above and ${params.outdir}/pipeline_info/execution_trace_*.txt")
    }
}

workflow PIPELINE_COMPLETION {

    main:
    workflow.onComplete {
        completionSummary()
    }
}
