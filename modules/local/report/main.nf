process REPORT {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(files, stageAs: "inputs/*"), val(layout)   // result files + their "<sample>/<step>/<file>" paths
    path versions, stageAs: "versions/versions_*.yml"               // every process's versions.yml

    output:
    tuple val(meta), path("scnetflow_report.html")             , emit: html
    path "scnetflow_general_stats_mqc.yaml"                    , emit: general_stats, optional: true
    path "scnetflow_software_mqc_versions.yml"                 , emit: software_versions, optional: true
    path "versions.yml"                                        , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def versions_args = [versions].flatten().collect { f -> "--versions ${f}" }.join(' ')
    """
    # Rebuild the published layout <sample>/<step>/<file> from the staged files.
    while read -r rel; do
        [ -n "\$rel" ] || continue
        mkdir -p "results/\$(dirname "\$rel")"
        ln -s "\$PWD/inputs/\$(basename "\$rel")" "results/\$rel"
    done <<'END_LAYOUT'
    ${layout.join('\n    ')}
    END_LAYOUT

    scnetflow_report.py \\
        results \\
        --outdir . \\
        ${versions_args} \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scnetflow: \$(python3 -c 'import scnetflow; print(scnetflow.__version__)')
        python: \$(python3 -c 'import platform; print(platform.python_version())')
    END_VERSIONS
    """

    stub:
    """
    touch scnetflow_report.html
    touch scnetflow_general_stats_mqc.yaml
    touch scnetflow_software_mqc_versions.yml
    touch versions.yml
    """
}
