process COEMBED {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(gene_embeddings), path(h5ad)

    output:
    tuple val(meta), path("${prefix}.coembed_edges.tsv"), emit: edges
    tuple val(meta), path("${prefix}.coembed.graphml")  , emit: graphml
    tuple val(meta), path("${prefix}.coexpr_edges.tsv") , emit: coexpr_edges
    tuple val(meta), path("${prefix}.communities.tsv")  , emit: communities
    tuple val(meta), path("${prefix}.modularity.tsv")   , emit: modularity
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    export ${task.ext.threads}
    scnetflow_coembed.py \\
        ${gene_embeddings} \\
        ${h5ad} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.coembed_edges.tsv
    touch ${prefix}.coembed.graphml
    touch ${prefix}.coexpr_edges.tsv
    touch ${prefix}.communities.tsv
    touch ${prefix}.modularity.tsv
    """
}
