process MULTIQC {
    tag "${meta.id}"
    label 'process_single'

    container "${params.container}"

    input:
    tuple val(meta), path(multiqc_files, stageAs: "?/*")
    path multiqc_config     // MultiQC config YAML, [] for none

    output:
    tuple val(meta), path("multiqc_report.html"), emit: report
    tuple val(meta), path("multiqc_data")       , emit: data

    when:
    task.ext.when == null || task.ext.when

    script:
    def args       = task.ext.args ?: ''
    def config_arg = multiqc_config ? "--config ${multiqc_config}" : ''
    """
    multiqc \\
        --force \\
        --no-version-check \\
        --no-ai \\
        ${config_arg} \\
        ${args} \\
        .
    """

    stub:
    """
    touch multiqc_report.html
    mkdir multiqc_data
    """
}
