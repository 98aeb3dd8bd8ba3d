process GRAPHS {
    tag "${meta.id}"
    label 'process_medium'

    container "${params.container}"

    input:
    tuple val(meta), path(h5ad)
    path ppi            // PPI table, [] for the packaged human network

    output:
    tuple val(meta), path("${prefix}.graphs.h5ad"), emit: h5ad
    tuple val(meta), path("${prefix}.graphs.json"), emit: json
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ppi_arg = ppi ? "--ppi ${ppi}" : ''
    """
    export ${task.ext.threads}
    scnetflow_graphs.py \\
        ${h5ad} \\
        ${ppi_arg} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.graphs.h5ad
    touch ${prefix}.graphs.json
    """
}
