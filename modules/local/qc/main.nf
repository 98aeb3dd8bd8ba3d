process QC {
    tag "${meta.id}"
    label 'process_medium'

    container "${params.container}"

    input:
    tuple val(meta), path(input)

    output:
    tuple val(meta), path("${prefix}.qc.h5ad"), emit: h5ad
    tuple val(meta), path("${prefix}.qc.json"), emit: json
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    if ("${input}" == "${prefix}.qc.h5ad") error "QC: input and output are both ${input}; set ext.prefix"
    """
    export ${task.ext.threads}
    scnetflow_qc.py \\
        ${input} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.qc.h5ad
    touch ${prefix}.qc.json
    """
}
