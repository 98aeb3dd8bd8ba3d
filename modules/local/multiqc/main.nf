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
    path "versions.yml"                         , emit: versions

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

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        multiqc: \$(multiqc --version | sed 's/.*version //')
    END_VERSIONS
    """

    stub:
    """
    touch multiqc_report.html
    mkdir multiqc_data
    touch versions.yml
    """
}
