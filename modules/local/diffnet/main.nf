process DIFFNET {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(embeddings_a, stageAs: "a/*"), path(embeddings_b, stageAs: "b/*")

    output:
    tuple val(meta), path("${prefix}.diffnet_edges.tsv"), emit: edges
    tuple val(meta), path("${prefix}.diffnet_genes.tsv"), emit: genes
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    export ${task.ext.threads}
    scnetflow_diffnet.py \\
        ${embeddings_a} \\
        ${embeddings_b} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.diffnet_edges.tsv
    touch ${prefix}.diffnet_genes.tsv
    """
}
