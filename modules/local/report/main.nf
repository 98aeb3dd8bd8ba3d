process REPORT {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(files, stageAs: "inputs/*"), val(manifest) // result files + a "sample<TAB>step<TAB>kind<TAB>file name" row each
    path versions, stageAs: "versions/versions_*.yml"               // the run's versions.yml, from the versions topic

    output:
    tuple val(meta), path("scnetflow_report.html")             , emit: html
    path "scnetflow_general_stats_mqc.yaml"                    , emit: general_stats, optional: true
    path "scnetflow_software_mqc_versions.yml"                 , emit: software_versions, optional: true

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def versions_args = [versions].flatten().collect { f -> "--versions ${f}" }.join(' ')
    """
    # The manifest: which sample, step and kind each staged file is (scnetflow.report.read_manifest).
    printf 'sample\\tstep\\tkind\\tpath\\n' > manifest.tsv
    cat <<'END_MANIFEST' >> manifest.tsv
    ${manifest.join('\n    ')}
    END_MANIFEST

    export ${task.ext.threads}
    scnetflow_report.py \\
        --manifest manifest.tsv \\
        --outdir . \\
        ${versions_args} \\
        ${args}
    """

    stub:
    """
    touch scnetflow_report.html
    touch scnetflow_general_stats_mqc.yaml
    touch scnetflow_software_mqc_versions.yml
    """
}
