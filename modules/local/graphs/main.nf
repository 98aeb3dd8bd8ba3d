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
    path "versions.yml"                           , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ppi_arg = ppi ? "--ppi ${ppi}" : ''
    """
    export OMP_NUM_THREADS=${task.cpus} MKL_NUM_THREADS=${task.cpus} NUMBA_NUM_THREADS=${task.cpus}
    scnetflow_graphs.py \\
        ${h5ad} \\
        ${ppi_arg} \\
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
    touch ${prefix}.graphs.h5ad
    touch ${prefix}.graphs.json
    touch versions.yml
    """
}
