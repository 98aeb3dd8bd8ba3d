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
    path "versions.yml"                                 , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    export OMP_NUM_THREADS=${task.cpus} MKL_NUM_THREADS=${task.cpus} NUMBA_NUM_THREADS=${task.cpus}
    scnetflow_coembed.py \\
        ${gene_embeddings} \\
        ${h5ad} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scnetflow: \$(python3 -c 'import scnetflow; print(scnetflow.__version__)')
        python: \$(python3 -c 'import platform; print(platform.python_version())')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.coembed_edges.tsv
    touch ${prefix}.coembed.graphml
    touch ${prefix}.coexpr_edges.tsv
    touch ${prefix}.communities.tsv
    touch ${prefix}.modularity.tsv
    touch versions.yml
    """
}
