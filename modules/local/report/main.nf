process REPORT {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(files, stageAs: "inputs/*"), val(layout)   // result files + their "<sample>/<step>/<file>" paths

    output:
    tuple val(meta), path("scnetflow_report.html"), emit: html
    path "versions.yml"                           , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
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
    touch versions.yml
    """
}
