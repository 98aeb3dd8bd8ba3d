process CHECK_SAMPLESHEET {
    tag "${samplesheet.name}"
    label 'process_single'

    container "${params.container}"

    input:
    path samplesheet
    path contrasts      // optional contrasts CSV, [] when none

    output:
    path "samplesheet.valid.csv", emit: csv
    path "contrasts.valid.csv"  , emit: contrasts
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def contrasts_arg = contrasts ? "--contrasts ${contrasts}" : ''
    """
    scnetflow_check_samplesheet.py \\
        ${samplesheet} \\
        ${contrasts_arg} \\
        --outdir . \\
        ${args}
    """

    stub:
    // Validation is cheap and light: run it for real so that -stub-run exercises the whole DAG.
    def args = task.ext.args ?: ''
    def contrasts_arg = contrasts ? "--contrasts ${contrasts}" : ''
    """
    scnetflow_check_samplesheet.py ${samplesheet} ${contrasts_arg} --outdir . ${args}
    """
}
